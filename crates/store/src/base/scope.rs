//! Who is acting and what they may see.
//!
//! A [`Scope`] is the only way into scoped reads and writes: every repository function that
//! touches a record of a jurisdiction takes one, and filters by its region range in SQL. The
//! web layer can build a scope only from a signed-in account; the CLI uses [`Scope::system`].

use meijian_domain::region::{Jurisdiction, RegionCode};
use meijian_domain::role::{Permission, Role};

use crate::StoreError;

/// Who performs an action, as the audit log records it.
#[derive(Clone, Debug, Default)]
pub struct Actor {
    pub account_id: Option<String>,
    /// The username, or `system` / `cli:<os user>` for actions outside the web.
    pub name: String,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

impl Actor {
    pub fn system(name: impl Into<String>) -> Actor {
        Actor {
            name: name.into(),
            ..Actor::default()
        }
    }
}

/// The user's jurisdiction subtree (管辖范围), department and role.
#[derive(Clone, Debug)]
pub struct Scope {
    pub actor: Actor,
    pub role: Role,
    /// `None` for the system scope.
    pub department_id: Option<String>,
    /// The region at the root of the jurisdiction; `None` means the whole country.
    pub region: Option<RegionCode>,
    /// The operator (主体编号) an institution account is bound to: it sees that one only.
    pub operator_id: Option<String>,
    lo: String,
    hi: String,
}

impl Scope {
    /// The scope of an account of `department_id` at `region` with `role`.
    pub fn for_user(actor: Actor, role: Role, department_id: String, region: RegionCode) -> Scope {
        let (lo, hi) = Jurisdiction::new(region.clone()).code_range();
        Scope {
            actor,
            role,
            department_id: Some(department_id),
            region: Some(region),
            operator_id: None,
            lo,
            hi,
        }
    }

    /// Nationwide administrator scope for the command line and start-up tasks.
    pub fn system(actor: Actor) -> Scope {
        Scope {
            actor,
            role: Role::Administrator,
            department_id: None,
            region: None,
            operator_id: None,
            lo: "000000".to_string(),
            hi: "999999".to_string(),
        }
    }

    /// Administrator scope limited to one jurisdiction, for command-line tasks that act for a
    /// city or district (e.g. `meijian reconcile --region`).
    pub fn system_at(actor: Actor, region: RegionCode) -> Scope {
        let (lo, hi) = Jurisdiction::new(region.clone()).code_range();
        Scope {
            actor,
            role: Role::Administrator,
            department_id: None,
            region: Some(region),
            operator_id: None,
            lo,
            hi,
        }
    }

    /// The inclusive range of region codes inside the jurisdiction, for `between $lo and $hi`.
    pub fn region_range(&self) -> (&str, &str) {
        (&self.lo, &self.hi)
    }

    /// Whether a region code lies inside the jurisdiction.
    pub fn covers(&self, region_code: &str) -> bool {
        region_code.len() == 6 && self.lo.as_str() <= region_code && region_code <= self.hi.as_str()
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.role.can(permission)
    }

    /// `Err(Forbidden)` unless the role allows `permission`.
    /// The scope of an institution account bound to its operator.
    pub fn bound_to(mut self, operator_id: Option<String>) -> Scope {
        self.operator_id = operator_id;
        self
    }

    /// Whether this scope may read the lasting record of operator `id` in `region_code`:
    /// officers by jurisdiction, an institution account its own operator only.
    pub fn sees_operator(&self, id: &str, region_code: &str) -> bool {
        if self.role == Role::Institution {
            return self.operator_id.as_deref() == Some(id);
        }
        self.can(Permission::ViewRegistries) && self.covers(region_code)
    }

    pub fn require(&self, permission: Permission) -> Result<(), StoreError> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(StoreError::Forbidden)
        }
    }
}
