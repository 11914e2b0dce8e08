//! What the public sees without an account: the places the complaint form offers and the
//! institution lookup.

pub mod form;
pub mod lookup;
