//! Who may do what. One table, checked by the workflow before any change, so the
//! console, the CLI and every store enforce the same rules.

use super::case::Status;
use super::code_enum;

code_enum! {
    Role {
        Operator = "operator",
        Supervisor = "supervisor",
        FollowUpOfficer = "follow-up",
        Administrator = "admin",
    }
}

impl Role {
    /// The role's name for people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Operator => "an operator",
            Role::Supervisor => "a supervisor",
            Role::FollowUpOfficer => "a follow-up officer",
            Role::Administrator => "an administrator",
        }
    }
}

code_enum! {
    /// Everything a person can do to a case (and to operators).
    ActionKind {
        Register = "register",
        Refer = "refer",
        Resolve = "resolve",
        Feedback = "feedback",
        Escalate = "escalate",
        Close = "close",
        Cancel = "cancel",
        Reopen = "reopen",
        Note = "note",
        Attach = "attach",
        Take = "take",
        ManageOperators = "manage-operators",
    }
}

/// The person acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub role: Role,
}

/// The roles that may take `action` on a case in `status`. Rules:
/// - operators, supervisors and follow-up officers do the daily case work;
/// - a case in special follow-up is worked (re-referred, closed) only by
///   follow-up officers and supervisors;
/// - reopening a finished case takes a follow-up officer or a supervisor;
/// - only administrators manage operators; administrators do no case work
///   except notes.
pub fn allowed_roles(action: ActionKind, status: Option<Status>) -> &'static [Role] {
    use Role::{Administrator as A, FollowUpOfficer as F, Operator as O, Supervisor as S};
    match action {
        ActionKind::ManageOperators => &[A],
        ActionKind::Note => &[O, S, F, A],
        ActionKind::Refer | ActionKind::Close if status == Some(Status::FollowUp) => &[F, S],
        ActionKind::Reopen => &[F, S],
        _ => &[O, S, F],
    }
}

/// Whether `role` may take `action` on a case in `status`.
pub fn may(role: Role, action: ActionKind, status: Option<Status>) -> bool {
    allowed_roles(action, status).contains(&role)
}

/// Whether `by` may add an operator to a store that has `existing` operators,
/// `admins` of them active administrators. The very first account is added by
/// nobody and must be an administrator or a supervisor (the console's setup
/// screen creates a supervisor), so that someone can add the others. After
/// that administrators add operators; while a center has no administrator,
/// its supervisors do.
pub fn check_add_operator(
    by: Option<&Actor>,
    existing: u64,
    admins: u64,
    new_role: Role,
) -> Result<(), String> {
    match (by, existing) {
        (None, 0) if matches!(new_role, Role::Administrator | Role::Supervisor) => Ok(()),
        (None, 0) => Err(format!(
            "the first account must be an administrator or a supervisor (--role admin or --role supervisor), so that someone can add the others; {new_role} accounts come after"
        )),
        (None, _) => Err(
            "operators exist already: name an administrator with --as (or CITYDESK_OPERATOR) to add another".into(),
        ),
        (Some(a), _) if a.role == Role::Administrator => Ok(()),
        (Some(a), _) if a.role == Role::Supervisor && admins == 0 => Ok(()),
        (Some(a), _) => Err(format!(
            "{} is {}: only an administrator can manage operators",
            a.name,
            a.role.label()
        )),
    }
}

/// Checks an operator's login name: 1 to 32 of a-z, 0-9, '.', '_', '-'.
pub fn check_operator_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 32
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "operator name {name:?} is not valid: use 1 to 32 lower-case Latin letters, digits, '.', '_' or '-' (the display name can be in Persian)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_officers_and_supervisors_close_follow_up() {
        let s = Some(Status::FollowUp);
        assert!(may(Role::FollowUpOfficer, ActionKind::Close, s));
        assert!(may(Role::Supervisor, ActionKind::Close, s));
        assert!(!may(Role::Operator, ActionKind::Close, s));
        assert!(!may(Role::Administrator, ActionKind::Close, s));
    }

    #[test]
    fn only_administrators_manage_operators() {
        for r in Role::ALL {
            assert_eq!(
                may(*r, ActionKind::ManageOperators, None),
                *r == Role::Administrator
            );
        }
    }
}
