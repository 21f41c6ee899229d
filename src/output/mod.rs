//! ipvsadm listings
