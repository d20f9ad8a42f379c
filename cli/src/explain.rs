//! Errors and warnings for a person: the node's problems worded in the chosen language,
//! each under the name the person typed (a JSON field path, a CSV column or a flag), and
//! every error once; with `--json`, the same as one JSON object on standard error.

use serde_json::json;
use steunpunt_api::{ClientError, Problem};

use crate::columns;
use crate::i18n;
use crate::output;
use crate::t;

/// How the person named the fields a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Names {
    /// Field paths of a JSON record, such as `location.pc4`.
    Fields,
    /// Columns of a CSV file.
    Columns,
    /// Flags of `search` and `org search`.
    Flags,
}

/// The name of the field at `path` as the person typed it.
pub fn label(path: &str, names: Names) -> String {
    match names {
        Names::Fields => path.to_owned(),
        Names::Columns => t!(
            "field-column",
            column = columns::column_for_path(path).unwrap_or(path)
        ),
        Names::Flags => match path {
            "q" => t!("field-words"),
            "author" => "--steunpunt".to_owned(),
            "org_kind" => "--kind".to_owned(),
            other => format!("--{}", other.replace('_', "-")),
        },
    }
}

/// One problem as a line: where, then what is wrong and what is allowed. A value named
/// `use` is a field to use instead, named as the person names fields.
pub fn line(problem: &Problem, names: Names) -> String {
    let mut problem = problem.clone();
    for (name, value) in &mut problem.values {
        if name == "use" {
            *value = label(value, names);
        }
    }
    let text = i18n::problem(&problem);
    if problem.path.is_empty() {
        text
    } else {
        format!("{}: {text}", label(&problem.path, names))
    }
}

/// A search the node refused: its problems are named by the flags typed.
#[derive(Debug)]
pub struct Search(pub ClientError);

impl std::fmt::Display for Search {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Search {}

/// The client error inside `error`, and how its problems are named.
fn client_error(error: &anyhow::Error) -> Option<(&ClientError, Names)> {
    if let Some(Search(e)) = error.downcast_ref::<Search>() {
        return Some((e, Names::Flags));
    }
    error
        .downcast_ref::<ClientError>()
        .map(|e| (e, Names::Fields))
}

/// An error for a person, in the chosen language where the CLI words it itself.
pub fn error(error: &anyhow::Error) -> String {
    let Some((client, names)) = client_error(error) else {
        return format!("{error:#}");
    };
    match client {
        ClientError::NotRunning(file, dir) => {
            t!(
                "error-not-running",
                file = file.as_str(),
                dir = dir.as_str()
            )
        }
        ClientError::Unreachable(addr, dir) => {
            t!(
                "error-unreachable",
                addr = addr.as_str(),
                dir = dir.as_str()
            )
        }
        ClientError::Unauthorized(dir) => t!("error-unauthorized", dir = dir.as_str()),
        ClientError::Unexpected { path, reason } => {
            t!(
                "error-unexpected",
                path = path.as_str(),
                reason = reason.as_str()
            )
        }
        ClientError::Other(reason) => t!("error-other", reason = reason.as_str()),
        ClientError::Refused {
            message,
            problems,
            code,
            ..
        } => match problems.as_slice() {
            [] if code == "busy" => t!("error-busy"),
            [] => message.clone(),
            // About the command's own argument (an id, an address): the argument is
            // what the person just typed, so its API name would only confuse.
            [one] if names == Names::Fields && code != "invalid_record" => i18n::problem(one),
            many => output::listed(&many.iter().map(|p| line(p, names)).collect::<Vec<_>>()),
        },
    }
}

/// The error as `--json` prints it on standard error: a stable code, the message in the
/// chosen language, and the node's problems as it gave them.
pub fn error_json(error: &anyhow::Error) -> serde_json::Value {
    let (code, problems) = match client_error(error) {
        Some((ClientError::Refused { code, problems, .. }, _)) => (code.clone(), problems.clone()),
        Some((ClientError::NotRunning(..), _)) => ("not_running".to_owned(), Vec::new()),
        Some((ClientError::Unreachable(..), _)) => ("unreachable".to_owned(), Vec::new()),
        Some((ClientError::Unauthorized(..), _)) => ("unauthorized".to_owned(), Vec::new()),
        Some((ClientError::Unexpected { .. }, _)) => ("unexpected_answer".to_owned(), Vec::new()),
        Some((ClientError::Other(..), _)) | None => ("failed".to_owned(), Vec::new()),
    };
    let mut detail = json!({ "code": code, "message": self::error(error) });
    if !problems.is_empty() {
        detail["problems"] = json!(problems);
    }
    json!({ "error": detail })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_to_use_instead_is_named_as_the_person_names_fields() {
        let problem = Problem::new(
            "description",
            "phone_in_text",
            &[("found", &"06-12345678"), ("use", &"contact.phone")],
        );
        assert!(line(&problem, Names::Fields).starts_with(
            "description: lijkt een telefoonnummer te bevatten (06-12345678); \
             zet contactgegevens liever in contact.phone:"
        ));
        assert!(
            line(&problem, Names::Columns)
                .starts_with("kolom description: lijkt een telefoonnummer")
                && line(&problem, Names::Columns).contains("liever in kolom phone:")
        );
    }
}
