"""`footfall company …` and `footfall token …`: tenants and their API tokens."""

from __future__ import annotations

import typer

from footfall.cli.hub import company_id, database
from footfall.cli.output import stderr, stdout, user_errors
from footfall.estate.companies import create_company
from footfall.estate.tokens import create_token
from footfall.security.tokens import TOKEN_ROLES
from footfall.storage.engine import write_tx

company_app = typer.Typer(help="Companies (tenants).", no_args_is_help=True)
token_app = typer.Typer(help="API tokens of a company.", no_args_is_help=True)


@company_app.command("create")
def create_company_command(name: str = typer.Argument(..., help="the company's name")) -> None:
    """Create a company."""
    with user_errors(), database() as engine, write_tx(engine) as conn:
        row = create_company(conn, name)
    stdout().print(f"Created company {row['name']!r} (id {row['id']}).")


@token_app.command("create")
def create_token_command(
    company: str = typer.Option(..., "--company", help="the company's name"),
    name: str = typer.Option("cli", "--name", help="a label to tell tokens apart"),
    role: str = typer.Option("admin", "--role",
                             help=f"one of: {', '.join(TOKEN_ROLES)} (a viewer token only reads)"),
) -> None:
    """Create an API token; the plaintext is printed once, alone on the last line."""
    with user_errors(), database() as engine, write_tx(engine) as conn:
        row, plaintext = create_token(conn, company_id(conn, company), name, role)
    stderr().print(f"Created {row['role']} token {row['name']!r} (id {row['id']}) for {company!r}. "
                   "It is shown only now; use it as `Authorization: Bearer <token>`:")
    # Plain echo: no wrapping or markup may touch the secret.
    typer.echo(plaintext)
