"""`footfall user …`: portal users of a company (the first admin comes from here)."""

from __future__ import annotations

import typer

from footfall.cli.hub import company_id, database
from footfall.cli.output import stdout, user_errors
from footfall.portal.accounts import create_portal_user, find_user_id, limit_pages
from footfall.portal.pages import ROLES
from footfall.storage.engine import write_tx

app = typer.Typer(help="Portal users (sign-in to /portal).", no_args_is_help=True)


@app.command("create")
def create_command(
    company: str = typer.Option(..., "--company", help="the company's name"),
    email: str = typer.Option(..., "--email", help="the e-mail address they sign in with"),
    role: str = typer.Option("viewer", "--role", help=f"one of: {', '.join(ROLES)}"),
    password: str = typer.Option(..., "--password", prompt=True, hide_input=True,
                                 confirmation_prompt=True,
                                 help="asked for when not given (kept only as an argon2id hash)"),
) -> None:
    """Create a portal user of a company."""
    with user_errors(), database() as engine, write_tx(engine) as conn:
        row = create_portal_user(conn, company_id(conn, company), email, password, role)
    stdout().print(f"Created {row['role']} {row['email']} (id {row['id']}) for {company!r}; "
                   "sign in at /portal.")


@app.command("pages")
def pages_command(
    company: str = typer.Option(..., "--company", help="the company's name"),
    email: str = typer.Option(..., "--email", help="the user's e-mail address"),
    pages: str = typer.Option("", "--pages",
                              help="comma-separated page keys, e.g. dashboard,sites "
                                   "(empty: every page of the role)"),
) -> None:
    """Limit a user to some pages (within what their role allows)."""
    with user_errors(), database() as engine, write_tx(engine) as conn:
        owner = company_id(conn, company)
        keys = limit_pages(conn, owner, find_user_id(conn, owner, email), [p for p in pages.split(",") if p])
    stdout().print(f"{email}: " + (f"limited to {', '.join(keys)}" if keys else "every page of the role"))
