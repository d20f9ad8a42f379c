//! Demonstrations of the Steunpunt Federatie, and a deterministic generator of realistic
//! regional data (Dutch vacancies and partner organisations on real postcodes) that
//! benchmarks and demos share.

pub mod generator;
