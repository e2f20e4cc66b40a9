//! Mercato's server: settings, telemetry, the database (embedded or external), the HTTP
//! router, the importer and the command line.
#![recursion_limit = "256"]

pub mod assets;
pub mod database;
pub mod embedded_pg;
pub mod flash;
pub mod generate;
pub mod http;
pub mod import;
pub mod jobs;
pub mod mail;
pub mod media_worker;
pub mod page_cache;
pub mod reco;
pub mod relevance;
pub mod sandbox;
pub mod search_api;
pub mod security;
pub mod seed;
pub mod serve;
pub mod settings;
pub mod state;
pub mod telemetry;
pub mod webhooks;
