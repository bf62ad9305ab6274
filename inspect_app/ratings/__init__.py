from flask import Blueprint

bp = Blueprint("ratings", __name__, template_folder="templates")
