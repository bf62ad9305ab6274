from flask import Blueprint

bp = Blueprint("inspections", __name__, template_folder="templates")
