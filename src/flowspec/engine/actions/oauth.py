"""Social login: start the OAuth redirect and exchange the code the provider returns."""
