/**
 * The {@code cairn} command line, shipped in the server's jar ({@code java -jar cairn.jar plan DIR}, or
 * {@code bin/cairn}): definitions as code ({@code plan}, {@code apply}) and the feature store's and serving's long
 * operations ({@code materialize}, {@code ingest}, {@code training-set}, {@code deploy}, {@code status}). It speaks to
 * a Cairn server only over its REST API, like any other client, so it depends on no other module; {@link
 * io.cairn.cli.Cli} is its one entry point.
 */
package io.cairn.cli;
