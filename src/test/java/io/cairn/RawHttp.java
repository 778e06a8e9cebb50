package io.cairn;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.JsonNode;

/**
 * HTTP/1.1 over a plain socket, for request targets no client library would send as written: un-normalized
 * {@code ..} segments, {@code %2e%2e}, encoded slashes. The target goes on the wire byte for byte.
 */
public final class RawHttp {

    /** Status line code, body (de-chunked) and the body as JSON when it is JSON. */
    public record Response(int status, String body, JsonNode json) {
        public String errorCode() {
            return json == null || json.get("error_code") == null ? null : json.get("error_code").asString();
        }
    }

    private final int port;

    public RawHttp(int port) {
        this.port = port;
    }

    public Response send(String method, String target, String body) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            String head = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n"
                    + (body == null ? "" : "Content-Type: application/octet-stream\r\nContent-Length: "
                    + content.length + "\r\n") + "\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(content);
            out.flush();
            return parse(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Response parse(InputStream in) throws IOException {
        String raw = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        int split = raw.indexOf("\r\n\r\n");
        String headers = split < 0 ? raw : raw.substring(0, split);
        String body = split < 0 ? "" : raw.substring(split + 4);
        int status = Integer.parseInt(headers.substring(9, 12));
        String lower = headers.toLowerCase();
        if (lower.contains("transfer-encoding: chunked")) {
            body = dechunk(body);
        }
        JsonNode json = lower.contains("content-type: application/json") && !body.isEmpty()
                ? HttpJson.mapper().readTree(body) : null;
        return new Response(status, body, json);
    }

    private static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int pos = 0;
        while (pos < chunked.length()) {
            int lineEnd = chunked.indexOf("\r\n", pos);
            int size = Integer.parseInt(chunked.substring(pos, lineEnd).trim(), 16);
            if (size == 0) {
                break;
            }
            // Sizes count bytes; the test bodies are ASCII JSON, so characters and bytes agree.
            out.append(chunked, lineEnd + 2, lineEnd + 2 + size);
            pos = lineEnd + 2 + size + 2;
        }
        return out.toString();
    }
}
