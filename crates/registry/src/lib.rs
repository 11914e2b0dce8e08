//! Registry files (see DATA.md).
