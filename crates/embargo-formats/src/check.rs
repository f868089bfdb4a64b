//! (being written)
#[derive(Debug)]
pub struct Problem;
pub fn check() {}
