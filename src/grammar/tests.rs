//! Behaviour tests of the grammar.
