//! Rendering answers, quotes and tables of contents for each front end. Only here is output
//! formatted; the data comes from [`crate::answer`] and [`crate::lookup`].

pub mod discord;
pub mod json;
pub mod text;
