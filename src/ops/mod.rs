//! Operations that combine several batches into one answer, each a library call behind one
//! command, like [`crate::study`] is behind `influence run`.

pub mod ablate;
pub mod compare;
pub mod paired;
pub mod pick;
pub mod seeds;
