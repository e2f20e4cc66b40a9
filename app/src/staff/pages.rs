//! `/admin/staff`: the staff, their groups and standing, invitations, and the groups'
//! permissions; and the page an invitation's link opens. Plain forms throughout.

use super::api::{
    AcceptInvitation, DeleteStaffGroup, InviteStaff, ResetStaffTwoStep, SaveStaffGroup,
    SetStaffDisabled, SetStaffGroups, SetStaffRole, StaffBoard, staff_overview,
};
use super::model::{Group, Member, Permission};
use crate::account::model::Role;
use crate::admin::layout::AdminError;
use crate::admin::style::page;
use crate::components::head::Title;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Meta;

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Admin => "Administrator",
        Role::Staff => "Staff",
        Role::Customer => "Customer",
    }
}

#[component]
pub fn StaffPage() -> impl IntoView {
    let cls = page();
    let overview = Resource::new(|| (), |_| staff_overview());
    view! { class=cls,
        <Title text="Staff · Mercato admin" />
        <h1>"Staff"</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! { <StaffSections o /> }.into_any(),
                    Err(error) => view! { <AdminError error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn StaffSections(o: StaffBoard) -> impl IntoView {
    let cls = page();
    let groups = o.groups.clone();
    let rows = o
        .members
        .into_iter()
        .map(|m| {
            let mine = m.id == o.me;
            view! { <MemberRow m groups=groups.clone() mine i_am_admin=o.i_am_admin /> }
        })
        .collect_view();
    let invitations = o
        .invitations
        .into_iter()
        .map(|i| {
            view! {
                <tr>
                    <td>{i.email}</td>
                    <td>{role_label(i.role)}</td>
                    <td>{i.expires}</td>
                </tr>
            }
        })
        .collect_view();
    view! { class=cls,
        <table data-test="staff-table">
            <caption class="visually-hidden">"Staff accounts"</caption>
            <thead>
                <tr>
                    <th scope="col">"Account"</th>
                    <th scope="col">"Role"</th>
                    <th scope="col">"Groups"</th>
                    <th scope="col">"Standing"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        <h2>"Invite someone"</h2>
        <InviteForm groups=o.groups.clone() i_am_admin=o.i_am_admin />
        <h2>"Pending invitations"</h2>
        <table>
            <thead>
                <tr>
                    <th scope="col">"E-mail address"</th>
                    <th scope="col">"Role"</th>
                    <th scope="col">"Expires"</th>
                </tr>
            </thead>
            <tbody>{invitations}</tbody>
        </table>
        <h2>"Groups"</h2>
        <GroupForms groups=o.groups />
    }
}

/// Checkboxes for groups (`groups[]`), the `chosen` ones ticked.
fn group_boxes(groups: &[Group], chosen: &[String]) -> impl IntoView + use<> {
    let cls = page();
    groups
        .iter()
        .map(|g| {
            let checked = chosen.contains(&g.name);
            view! { class=cls,
                <label class="choice">
                    <input type="checkbox" name="groups[]" value=g.id.to_string() checked=checked />
                    {g.name.clone()}
                </label>
            }
        })
        .collect_view()
}

#[component]
fn MemberRow(m: Member, groups: Vec<Group>, mine: bool, i_am_admin: bool) -> impl IntoView {
    let cls = page();
    let id = m.id.to_string();
    let standing = match (m.disabled, m.two_step) {
        (true, _) => "Disabled",
        (false, true) => "Active, two-step sign-in",
        (false, false) => "Active",
    };
    let admin_row = m.role == Role::Admin;
    let can_change = !mine && (i_am_admin || !admin_row);
    let group_form = (!admin_row && can_change).then(|| {
        view! { class=cls,
            <form class="inline" method="post" action=SetStaffGroups::url()>
                <input type="hidden" name="user_id" value=id.clone() />
                {group_boxes(&groups, &m.groups)}
                <button type="submit">"Save groups"</button>
            </form>
        }
    });
    let group_names = (admin_row || !can_change).then(|| {
        if admin_row {
            "Every permission".to_owned()
        } else {
            m.groups.join(", ")
        }
    });
    let actions = can_change.then(|| {
        let role_form = i_am_admin.then(|| {
            let (to, label) = if admin_row {
                ("staff", "Make staff")
            } else {
                ("admin", "Make administrator")
            };
            view! { class=cls,
                <form class="inline" method="post" action=SetStaffRole::url()>
                    <input type="hidden" name="user_id" value=id.clone() />
                    <input type="hidden" name="role" value=to />
                    <button type="submit">{label}</button>
                </form>
            }
        });
        let reset = (i_am_admin && m.two_step).then(|| {
            view! { class=cls,
                <form class="inline" method="post" action=ResetStaffTwoStep::url()>
                    <input type="hidden" name="user_id" value=id.clone() />
                    <button type="submit">"Reset two-step sign-in"</button>
                </form>
            }
        });
        let (to, label, class) = if m.disabled {
            ("false", "Enable", "")
        } else {
            ("true", "Disable", "danger")
        };
        view! { class=cls,
            <form class="inline" method="post" action=SetStaffDisabled::url()>
                <input type="hidden" name="user_id" value=id.clone() />
                <input type="hidden" name="disabled" value=to />
                <button type="submit" class=class>
                    {label}
                </button>
            </form>
            {role_form}
            {reset}
        }
    });
    view! { class=cls,
        <tr data-test="staff-row">
            <td>
                <strong>{m.email}</strong>
                <br />
                <span class="muted">{m.name}</span>
                <br />
                <span class="muted">
                    {m.last_seen.map(|t| format!("Last seen {t}")).unwrap_or_default()}
                </span>
            </td>
            <td>{role_label(m.role)}</td>
            <td>{group_form} {group_names}</td>
            <td>
                <span class="tag">{standing}</span>
                {mine.then_some(" (you)")}
                {actions}
            </td>
        </tr>
    }
}

#[component]
fn InviteForm(groups: Vec<Group>, i_am_admin: bool) -> impl IntoView {
    let cls = page();
    let admin_choice = i_am_admin.then(|| view! { <option value="admin">"Administrator"</option> });
    view! { class=cls,
        <form class="panel" method="post" action=InviteStaff::url() aria-label="Invite someone">
            <label>
                "E-mail address" <input type="email" name="email" required maxlength="254" />
            </label>
            <label>
                "Role" <select name="role">
                    <option value="staff">"Staff (the permissions of their groups)"</option>
                    {admin_choice}
                </select>
            </label>
            <fieldset>
                <legend>"Groups"</legend>
                {group_boxes(&groups, &[])}
            </fieldset>
            <button type="submit" class="primary">
                "Send the invitation"
            </button>
        </form>
    }
}

/// Permission checkboxes (`permissions[]`), the `chosen` ones ticked.
fn permission_boxes(chosen: &[Permission]) -> impl IntoView + use<> {
    let cls = page();
    Permission::ALL
        .into_iter()
        .map(|p| {
            view! { class=cls,
                <label class="choice">
                    <input
                        type="checkbox"
                        name="permissions[]"
                        value=p.as_str()
                        checked=chosen.contains(&p)
                    />
                    {p.label()}
                </label>
            }
        })
        .collect_view()
}

#[component]
fn GroupForms(groups: Vec<Group>) -> impl IntoView {
    let cls = page();
    let existing = groups
        .into_iter()
        .map(|g| {
            let id = g.id.to_string();
            view! { class=cls,
                <form
                    class="panel"
                    method="post"
                    action=SaveStaffGroup::url()
                    data-test="group-form"
                >
                    <input type="hidden" name="id" value=id.clone() />
                    <label>
                        "Name"
                        <input
                            type="text"
                            name="name"
                            value=g.name.clone()
                            required
                            maxlength="80"
                        />
                    </label>
                    <span class="muted">{format!("{} members", g.members)}</span>
                    <fieldset>
                        <legend>"Permissions"</legend>
                        {permission_boxes(&g.permissions)}
                    </fieldset>
                    <button type="submit">"Save group"</button>
                    <button type="submit" class="danger" formaction=DeleteStaffGroup::url()>
                        "Delete group"
                    </button>
                </form>
            }
        })
        .collect_view();
    view! { class=cls,
        {existing}
        <form class="panel" method="post" action=SaveStaffGroup::url() aria-label="New group">
            <label>
                "New group's name" <input type="text" name="name" required maxlength="80" />
            </label>
            <fieldset>
                <legend>"Permissions"</legend>
                {permission_boxes(&[])}
            </fieldset>
            <button type="submit" class="primary">
                "Create group"
            </button>
        </form>
    }
}

/// `/account/staff-invitation?token=...`: the page an invitation's link opens.
#[component]
pub fn AcceptInvitationPage() -> impl IntoView {
    let token = leptos_router::hooks::use_query_map()
        .read_untracked()
        .get("token")
        .unwrap_or_default();
    let form = crate::account::pages::form_style();
    view! { class=form,
        <Title text="Join the staff · Mercato" />
        <Meta name="robots" content="noindex" />
        <Meta name="referrer" content="same-origin" />
        <h1>"Join the staff"</h1>
        <p>
            "Choose your name and a password. If this address already has an account with us, enter that account's password instead."
        </p>
        <form method="post" action=AcceptInvitation::url() aria-label="Join the staff">
            <input type="hidden" name="token" value=token />
            <label>
                "Your name" <input type="text" name="name" autocomplete="name" maxlength="200" />
            </label>
            <label>
                "Password"
                <input type="password" name="password" autocomplete="new-password" required />
            </label>
            <button type="submit">"Join"</button>
        </form>
    }
}
