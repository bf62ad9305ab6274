"""The admin's pages for sign-in accounts: users, their roles and the halls they see."""

from flask import Blueprint

bp = Blueprint("accounts", __name__, template_folder="templates")
