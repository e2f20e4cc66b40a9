//! Orders on the server: the rows checkout writes (`placement`: open, confirm, cancel),
//! the transitions of the state machine (`transition`), and what customers read
//! (`read`).

pub mod parcels;
pub mod placement;
pub mod read;
pub mod transition;

pub use read::{orders_of_customer, visible_order};
pub use transition::{TransitionError, transition};
