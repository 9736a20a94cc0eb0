//! Who may do what. One table, checked by the workflow before any change, so the
//! console, the CLI and every store enforce the same rules.

use super::case::{Case, Kind, Status};
use super::code_enum;

code_enum! {
    Role {
        Operator = "operator",
        Supervisor = "supervisor",
        FollowUpOfficer = "follow-up",
        Administrator = "admin",
        /// A script or a front end (an Open311 client's service account):
        /// may only register cases and attach contacts.
        Service = "service",
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
        CallBack = "call-back",
        Import = "import",
        ManageOperators = "manage-operators",
    }
}

/// Why a person may not do something that is not about one case (words: `present`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "denied", rename_all = "kebab-case")]
pub enum Denied {
    /// `actor`'s role may not do `action`; `roles` may.
    Role {
        actor: String,
        role: Role,
        action: ActionKind,
        roles: Vec<Role>,
    },
    /// The first account of a center must be an administrator or a supervisor.
    FirstAccount { role: Role },
    /// Operators exist: adding one needs someone to act.
    NeedsActor,
    /// Nobody disables their own account.
    DisableSelf,
    /// A service account has no password (it signs in by token).
    ServicePassword { name: String },
    /// A login name that is not 1-32 of a-z, 0-9, '.', '_', '-'.
    OperatorName { name: String },
    /// Only supervisors write a handover's notes and accept it.
    Handover { role: Role },
    /// `migrate` into a store that already holds data.
    TargetNotEmpty {
        location: String,
        cases: u64,
        operators: u64,
    },
}

impl std::error::Error for Denied {}

impl Denied {
    fn role(actor: &Actor, action: ActionKind) -> Denied {
        Denied::Role {
            actor: actor.name.clone(),
            role: actor.role,
            action,
            roles: allowed_roles(action, None).to_vec(),
        }
    }
}

/// Checks that `actor` may do `action`, which is about no case in particular.
pub fn check(actor: &Actor, action: ActionKind) -> Result<(), Denied> {
    if may(actor.role, action, None) {
        Ok(())
    } else {
        Err(Denied::role(actor, action))
    }
}

/// The person acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub role: Role,
}

/// The roles that may take `action` on `case` (None: an action about no
/// case, such as registering one or managing operators). Rules:
/// - operators, supervisors and follow-up officers do the daily case work;
/// - a case in special follow-up is worked (re-referred, closed, called back)
///   only by follow-up officers and supervisors, and only they close a case
///   the department has not answered, reopen a finished one, or set a
///   call-back date; anyone who does case work acknowledges an appreciation;
/// - only administrators manage operators; administrators do no case work
///   except notes;
/// - a service account (a script or a front end) only registers cases and
///   attaches contacts; it refers only the case it registers, in the same
///   step (`may_act`).
pub fn allowed_roles(action: ActionKind, case: Option<&Case>) -> &'static [Role] {
    use Role::{
        Administrator as A, FollowUpOfficer as F, Operator as O, Service as V, Supervisor as S,
    };
    let status = case.map(|c| c.status);
    let appreciation = case.is_some_and(|c| c.kind == Kind::Appreciation);
    match action {
        ActionKind::ManageOperators => &[A],
        ActionKind::Register | ActionKind::Attach => &[O, S, F, V],
        ActionKind::Note => &[O, S, F, A],
        ActionKind::Close if appreciation && status == Some(Status::Registered) => &[O, S, F],
        ActionKind::Close | ActionKind::Reopen | ActionKind::CallBack => &[F, S],
        ActionKind::Refer if status == Some(Status::FollowUp) => &[F, S],
        _ => &[O, S, F],
    }
}

/// Whether `role` may take `action` on `case`.
pub fn may(role: Role, action: ActionKind, case: Option<&Case>) -> bool {
    allowed_roles(action, case).contains(&role)
}

/// Whether `actor` may take `action` on `case`: by role, and a service
/// account may also refer the case it has just registered (still at version
/// 1 and registered by it), which is how it registers and refers in one step.
pub fn may_act(actor: &Actor, action: ActionKind, case: &Case) -> bool {
    may(actor.role, action, Some(case))
        || (actor.role == Role::Service
            && action == ActionKind::Refer
            && case.status == Status::Registered
            && case.version == 1
            && case.registered_by == actor.name)
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
) -> Result<(), Denied> {
    match (by, existing) {
        (None, 0) if matches!(new_role, Role::Administrator | Role::Supervisor) => Ok(()),
        (None, 0) => Err(Denied::FirstAccount { role: new_role }),
        (None, _) => Err(Denied::NeedsActor),
        (Some(a), _) if a.role == Role::Administrator => Ok(()),
        (Some(a), _) if a.role == Role::Supervisor && admins == 0 => Ok(()),
        (Some(a), _) => Err(Denied::role(a, ActionKind::ManageOperators)),
    }
}

/// Checks an operator's login name: 1 to 32 of a-z, 0-9, '.', '_', '-'.
pub fn check_operator_name(name: &str) -> Result<(), Denied> {
    let ok = !name.is_empty()
        && name.len() <= 32
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(Denied::OperatorName {
            name: name.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_account_registers_attaches_and_refers_only_its_new_case() {
        for a in ActionKind::ALL {
            let expected = matches!(a, ActionKind::Register | ActionKind::Attach);
            assert_eq!(may(Role::Service, *a, None), expected, "{a}");
        }
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
