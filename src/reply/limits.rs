//! Discord's limits, in characters (Unicode code points, as Discord counts them). The renderer
//! keeps every message within them; the command schema and the button ids use them too.

pub const CONTENT: usize = 2000;
pub const EMBED_TITLE: usize = 256;
pub const EMBED_DESCRIPTION: usize = 4096;
pub const EMBED_FOOTER: usize = 2048;
pub const EMBED_FIELD_VALUE: usize = 1024;
/// Across all embeds of one message.
pub const EMBED_TOTAL: usize = 6000;
pub const EMBEDS: usize = 10;
pub const ROWS: usize = 5;
pub const BUTTONS_PER_ROW: usize = 5;
pub const CUSTOM_ID: usize = 100;
pub const BUTTON_LABEL: usize = 80;
pub const CHOICES: usize = 25;
pub const CHOICE_NAME: usize = 100;
pub const CHOICE_VALUE: usize = 100;
