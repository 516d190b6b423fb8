"""The orders service: takes orders and prices them."""
