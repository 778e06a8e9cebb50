package io.cairn.web;

/** An error page: the HTTP status, a short title and what to do about it. */
public record ErrorView(int status, String title, String message) {
}
