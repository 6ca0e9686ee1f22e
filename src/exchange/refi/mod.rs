//! REFI-QDA exchange: `.qdc` codebooks and `.qdpx` projects, on an in-memory
//! model. Pure: no database, no CLI. Refers to its parts through `super::`
//! only, so the folder can move between crates unchanged.
mod archive;
mod codes_read;
mod description;
mod docx;
mod error;
mod guid;
mod limits;
mod model;
mod position_detect;
mod position_write;
mod project_read;
mod project_write;
mod qdc_read;
mod qdc_write;
mod qdpx_read;
mod qdpx_write;
mod read_ctx;
mod refs;
mod text_fix;
mod values;
mod xml_dom;
mod xml_out;

pub use description::{CodebookFields, decode_description, encode_description};
pub use error::RefiError;
pub use guid::new_guid;
pub use limits::Limits;
pub use model::*;
pub use position_detect::PositionMode;
pub use position_write::{PositionWriter, Target, to_code_points};
pub use project_write::write_project_xml;
pub use qdc_read::{read_qdc, read_qdc_from};
pub use qdc_write::write_qdc;
pub use qdpx_read::{ProjectSink, read_qdpx, read_qdpx_with, stream_qdpx};
pub use qdpx_write::{ExportStats, SourceSupply, write_qdpx, write_qdpx_streamed};

#[cfg(test)]
mod tests;
