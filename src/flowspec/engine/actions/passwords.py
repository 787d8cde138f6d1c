"""Passwords: sign in, replace an expired one, update, and send a reset link."""
