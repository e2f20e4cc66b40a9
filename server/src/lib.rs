//! Mercato's server: settings, telemetry, the database (embedded or external), the HTTP
//! router, the importer and the command line.

pub mod database;
pub mod embedded_pg;
pub mod http;
pub mod import;
pub mod seed;
pub mod serve;
pub mod settings;
pub mod telemetry;
