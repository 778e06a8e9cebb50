package io.cairn.web;

/** What the sign-in page shows: where to go after signing in, the name typed, and why the last attempt failed. */
public record LoginView(String next, String username, String error) {
}
