//! `embargo user add|list`.

use embargo_app::{NewUser, Principal};
use embargo_core::InstallationRoles;
use embargo_store::OpenMode;
use serde_json::json;

use super::{load_config, open_app, read_secret_line};
use crate::cli::{Cli, UserCommand};
use crate::clock;
use crate::failure::Failure;
use crate::output::Output;

pub async fn run(cli: &Cli, cmd: &UserCommand) -> Result<Output, Failure> {
    let config = load_config(cli)?;
    let app = open_app(&config, OpenMode::MustExist).await?;
    let out = match cmd {
        UserCommand::Add(args) => {
            let password = if args.password_stdin {
                Some(read_secret_line()?)
            } else {
                None
            };
            let roles = InstallationRoles {
                coordinator: args.coordinator,
                admin: args.admin,
            };
            let new = NewUser {
                email: args.email.clone(),
                display_name: args.name.clone(),
                roles,
                password,
            };
            let p = app.add_user(Principal::Operator, new, clock::now()).await?;
            Output::new(
                format!(
                    "Added {} <{}> ({}), id {}",
                    p.display_name,
                    p.email,
                    describe(p.roles),
                    p.id
                ),
                json!({"id": p.id, "email": p.email, "name": p.display_name, "coordinator": p.roles.coordinator, "admin": p.roles.admin}),
            )
        }
        UserCommand::List => {
            let people = app.store().people().await?;
            let text = people
                .iter()
                .map(|p| {
                    format!(
                        "{}  {} <{}>  {}",
                        p.id,
                        p.display_name,
                        p.email,
                        describe(p.roles)
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            let list: Vec<_> = people
                .iter()
                .map(|p| json!({"id": p.id, "email": p.email, "name": p.display_name, "coordinator": p.roles.coordinator, "admin": p.roles.admin, "disabled": p.disabled_at.is_some()}))
                .collect();
            Output::new(text, list)
        }
    };
    app.store().close().await;
    Ok(out)
}

fn describe(roles: InstallationRoles) -> &'static str {
    match (roles.admin, roles.coordinator) {
        (true, true) => "admin, coordinator",
        (true, false) => "admin",
        (false, true) => "coordinator",
        (false, false) => "member",
    }
}
