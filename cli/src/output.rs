//! Output: tables that fit the terminal, or JSON (one object, or JSON Lines for lists).

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

/// Longest cell before it is cut with an ellipsis.
pub const MAX_CELL: usize = 48;

/// Cuts `text` to `max` characters with an ellipsis.
pub fn cut(text: &str, max: usize) -> String {
    let text = text.replace('\n', " ");
    if text.chars().count() <= max {
        text
    } else {
        let kept: String = text.chars().take(max.saturating_sub(1)).collect();
        format!("{kept}…")
    }
}

/// Prints rows as a table fitted to the terminal.
pub fn table(header: &[&str], rows: Vec<Vec<String>>) {
    if rows.is_empty() {
        println!("(nothing found)");
        return;
    }
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    for row in rows {
        table.add_row(row);
    }
    println!("{table}");
}

/// Prints one JSON object.
pub fn json(value: &impl serde::Serialize) {
    println!("{}", serde_json::to_string(value).unwrap_or_default());
}

/// Prints a list as JSON Lines.
pub fn json_lines(items: &[impl serde::Serialize]) {
    for item in items {
        json(item);
    }
}
