"""One-time codes by email and SMS: sign in, sign up, sign up or in, verify, update the user."""
