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
        UserCommand::Token {
            email,
            name,
            days,
            no_expiry,
        } => {
            let person = find(&app, email).await?;
            let days = (!no_expiry).then_some(*days);
            let token = app
                .issue_api_token(Principal::Operator, person, name, days, clock::now())
                .await?;
            Output::new(
                format!(
                    "API token for {email} (shown once; send it as Authorization: Bearer ...):\n{token}"
                ),
                json!({"user": person, "token": token}),
            )
        }
        UserCommand::Password { email } => {
            let person = find(&app, email).await?;
            let password = read_secret_line()?;
            app.set_password(Principal::Operator, person, &password, clock::now())
                .await?;
            Output::new(format!("Password set for {email}"), json!({"user": person}))
        }
        UserCommand::List => {
            let people = app.people(Principal::Operator).await?;
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

async fn find(app: &embargo_app::App, email: &str) -> Result<embargo_core::UserId, Failure> {
    match app.person_by_email(Principal::Operator, email).await {
        Ok(p) => Ok(p.id),
        Err(embargo_app::AppError::Invalid(problems)) => Err(Failure::Refused(
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        )),
        Err(e) => Err(e.into()),
    }
}

fn describe(roles: InstallationRoles) -> &'static str {
    match (roles.admin, roles.coordinator) {
        (true, true) => "admin, coordinator",
        (true, false) => "admin",
        (false, true) => "coordinator",
        (false, false) => "member",
    }
}
