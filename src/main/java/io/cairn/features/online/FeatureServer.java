package io.cairn.features.online;

import io.cairn.platform.security.Access;
import io.cairn.platform.security.Authenticator;
import io.cairn.platform.security.CairnPrincipal;
import java.net.SocketAddress;
import io.cairn.features.Materialization;
import io.cairn.features.online.FeastJson.GetOnlineFeaturesRequest;
import io.cairn.features.online.FeastJson.MaterializeIncrementalRequest;
import io.cairn.features.online.FeastJson.MaterializeRequest;
import io.cairn.features.online.FeastJson.MaterializeResponse;
import io.cairn.features.online.FeastJson.PushRequest;
import io.cairn.features.online.OnlineFeatures.Result;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.ErrorCode;
import io.cairn.platform.error.ApiError;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Feast's feature-server endpoints on their own port (6566, Feast's default), served by Netty, for online serving at
 * the rate Redis can answer. The same endpoints stay on the main port through {@link FeastController}; both share
 * {@link FeastJson} and {@link OnlineFeatures}, so bodies and errors are identical.
 *
 * <p>Why a second server: on two cores a request that does nothing at all topped out at about 40 % of
 * {@code redis-benchmark}'s rate through Tomcat and Spring MVC (docs/benchmarks.md), so a read that also talks to
 * Redis could not get near it. Feast runs its feature server as a process of its own for the same reason. Here a
 * read never blocks a thread: it is parsed on the event loop, its HMGETs leave in one flush, and the answer is
 * written from the event loop once the last reply is in. Push, materialize and a definition reload block on
 * PostgreSQL, so they run on a small pool of their own.
 */
@Component
class FeatureServer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(FeatureServer.class);
    private static final String JSON = "application/json";
    private static final byte[] HEALTHY = "{\"status\":\"ok\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private final FeatureServerProperties properties;
    private final OnlineFeatures online;
    private final Materialization materialization;
    private final FeastJson feast;
    private final MeterRegistry meters;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    private final FeatureServerEventLoops.Loops sharedLoops;
    private volatile ExecutorService blocking;
    private volatile Channel listener;

    private final Authenticator authenticator;
    private final Access access;

    FeatureServer(FeatureServerProperties properties, FeatureServerEventLoops.Loops sharedLoops,
                  OnlineFeatures online, Materialization materialization, FeastJson feast, MeterRegistry meters,
                  Authenticator authenticator, Access access) {
        this.authenticator = authenticator;
        this.access = access;
        this.properties = properties;
        this.sharedLoops = sharedLoops;
        this.online = online;
        this.materialization = materialization;
        this.feast = feast;
        this.meters = meters;
    }

    /** The port listened on, or -1 when the server is off. */
    int port() {
        Channel c = listener;
        return c == null ? -1 : ((InetSocketAddress) c.localAddress()).getPort();
    }

    @Override
    public void start() {
        if (!properties.enabled() || listener != null) {
            return;
        }
        EventLoopGroup loops = sharedLoops.group;
        blocking = new ThreadPoolExecutor(properties.blockingThreads(), properties.blockingThreads(), 60,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(1024), new DefaultThreadFactory("feature-server-blocking"));
        int maxBody = (int) Math.min(Integer.MAX_VALUE, properties.maxRequestSize().toBytes());
        ServerBootstrap bootstrap = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpServerExpectContinueHandler(),
                                new TooLargeAsDetail(maxBody), new Connection());
                    }
                });
        try {
            listener = bootstrap.bind(properties.address(), properties.port()).syncUninterruptibly().channel();
        } catch (Exception e) {
            // Exception, not RuntimeException: Netty rethrows the bind's java.net.BindException, a checked
            // exception, without declaring it, so a port in use used to escape with only "Address already in use".
            shutDown();
            throw new IllegalStateException("The feature server could not listen on " + properties.address() + ":"
                    + properties.port() + " (" + e.getMessage() + "); set cairn.features.server.port to a free port "
                    + "(0 picks one) or cairn.features.server.enabled=false.", e);
        }
        log.info("Feature server (Feast endpoints) listening on {}:{} with {} event loops", properties.address(),
                port(), sharedLoops.group.executorCount());
    }

    @Override
    public void stop() {
        shutDown();
    }

    private void shutDown() {
        Channel c = listener;
        listener = null;
        if (c != null) {
            c.close().syncUninterruptibly();
        }
        if (blocking != null) {
            blocking.shutdown();
            try {
                blocking.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            blocking = null;
        }
    }

    @Override
    public boolean isRunning() {
        return listener != null;
    }

    /**
     * The aggregator that holds each body, answering one over the limit as the main port does: 413 with Feast's
     * {@code {"detail"}} (Netty's own answer has an empty body). The connection is closed, so the rest of the body is
     * never read.
     */
    private final class TooLargeAsDetail extends HttpObjectAggregator {

        private final int maxBody;

        TooLargeAsDetail(int maxBody) {
            super(maxBody);
            this.maxBody = maxBody;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            byte[] body = feast.mapper().writeValueAsBytes(Map.of("detail", "The request body is larger than the "
                    + maxBody + " bytes this endpoint accepts; send a smaller body (split a batch into several "
                    + "requests), or raise cairn.features.server.max-request-size."));
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, ctx.alloc().buffer(body.length).writeBytes(body));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** A response: status and a body writer (JSON). */
    private record Answer(HttpResponseStatus status, Consumer<OutputStream> body) {

        static Answer json(byte[] bytes) {
            return new Answer(HttpResponseStatus.OK, out -> write(out, bytes));
        }

        static Answer detail(FeastJson feast, int status, String message) {
            return new Answer(HttpResponseStatus.valueOf(status),
                    out -> write(out, feast.mapper().writeValueAsBytes(Map.of("detail", message))));
        }

        private static void write(OutputStream out, byte[] bytes) {
            try {
                out.write(bytes);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /**
     * One client connection. HTTP/1.1 answers must leave in request order, and a read's answer is ready only when
     * Redis replies, so a request that arrives while the previous one is still being answered (a pipelining client)
     * waits here, and reading from the socket pauses until the queue is empty again.
     */
    private final class Connection extends SimpleChannelInboundHandler<FullHttpRequest> {

        private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
        private boolean busy;
        /** The credentials this connection's last request was known by; read and written on its event loop only. */
        private Authenticator.ConnectionCredential credential;

        Connection() {
            super(false);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (busy) {
                waiting.add(request);
                ctx.channel().config().setAutoRead(false);
                return;
            }
            handle(ctx, request);
        }

        private void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
            busy = true;
            long start = System.nanoTime();
            String path = path(request.uri());
            CompletableFuture<Answer> answer;
            try {
                answer = authenticated(path, request, ctx.channel().remoteAddress(), this);
            } catch (RuntimeException e) {
                answer = CompletableFuture.failedFuture(e);
            }
            answer.whenComplete((a, error) -> {
                if (ctx.executor().inEventLoop()) {
                    respond(ctx, request, path, start, a, error);
                } else {
                    ctx.executor().execute(() -> respond(ctx, request, path, start, a, error));
                }
            });
        }

        private void respond(ChannelHandlerContext ctx, FullHttpRequest request, String path, long start, Answer answer,
                             Throwable error) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            HttpVersion version = request.protocolVersion();
            request.release();
            if (error != null) {
                answer = failure(error);
            }
            ByteBuf body = ctx.alloc().buffer(256);
            try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
                answer.body().accept(out);
            } catch (RuntimeException | java.io.IOException e) {
                body.clear();
                answer = failure(e);
                answer.body().accept(new ByteBufOutputStream(body));
            }
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, answer.status(), body);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            if (answer.status() == HttpResponseStatus.METHOD_NOT_ALLOWED) {
                response.headers().set(HttpHeaderNames.ALLOW, allowed(path));
            }
            if (!keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            } else if (version.equals(HttpVersion.HTTP_1_0)) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            // Timed up to the hand-over to Netty, and recorded before it, so a client that has its answer also sees
            // it counted.
            timer(path, answer.status().code()).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            var written = ctx.writeAndFlush(response);
            if (!keepAlive) {
                written.addListener(ChannelFutureListener.CLOSE);
                drop();
                return;
            }
            busy = false;
            FullHttpRequest next = waiting.poll();
            if (next != null) {
                handle(ctx, next);
            } else {
                ctx.channel().config().setAutoRead(true);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            drop();
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("Feature server connection failed", cause);
            ctx.close();
        }

        private void drop() {
            FullHttpRequest r;
            while ((r = waiting.poll()) != null) {
                r.release();
            }
        }
    }

    // ---- routing -----------------------------------------------------------------------------------------------

    /**
     * With security on, every endpoint but {@code /health} takes the same credentials as the main port. Credentials
     * verified recently are known at once on the event loop; others are checked on the blocking pool (a token lookup
     * or a BCrypt round must not stall the loop), and the request continues from there.
     */
    private CompletableFuture<Answer> authenticated(String path, FullHttpRequest request, SocketAddress remote,
                                                    Connection connection) {
        if (!access.enabled() || path.equals("/health")) {
            return route(path, request, null);
        }
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        String proxyUser = request.headers().get(Authenticator.PROXY_USER_HEADER);
        CairnPrincipal known = proxyUser == null ? knownOn(connection, authorization) : null;
        if (known != null) {
            return Authenticator.as(known, () -> route(path, request, known));
        }
        String address = remote instanceof InetSocketAddress inet ? inet.getAddress().getHostAddress() : null;
        return CompletableFuture.supplyAsync(() -> authenticator.authenticate(authorization, proxyUser, address)
                        .orElseThrow(() -> CairnException.unauthenticated("Authentication required: send a user name "
                                + "and password (HTTP Basic) or a token (Authorization: Bearer).")), blocking)
                .thenCompose(principal -> Authenticator.as(principal, () -> route(path, request, principal)));
    }

    /** Who the connection's remembered credentials, or else the shared cache, say the header names; null if neither. */
    private CairnPrincipal knownOn(Connection connection, String authorization) {
        CairnPrincipal known = authenticator.reuse(connection.credential, authorization);
        if (known == null) {
            connection.credential = authenticator.rememberForConnection(authorization);
            known = connection.credential == null ? null : connection.credential.principal();
        }
        return known;
    }

    private CompletableFuture<Answer> route(String path, FullHttpRequest request, CairnPrincipal principal) {
        HttpMethod method = request.method();
        switch (path) {
            case "/get-online-features" -> {
                if (!method.equals(HttpMethod.POST)) {
                    return notAllowed();
                }
                requireJson(request);
                GetOnlineFeaturesRequest read = feast.readGet(body(request.content()));
                return online.getAsync(read.features(), read.entities(), Boolean.TRUE.equals(read.full_feature_names()),
                        blocking).thenApply(this::answer);
            }
            case "/push", "/materialize", "/materialize-incremental" -> {
                if (!method.equals(HttpMethod.POST)) {
                    return notAllowed();
                }
                requireJson(request);
                return CompletableFuture.supplyAsync(() -> principal == null
                        ? Answer.json(blockingCall(path, request.content()))
                        : Authenticator.as(principal, () -> Answer.json(blockingCall(path, request.content()))),
                        blocking);
            }
            case "/health" -> {
                if (!method.equals(HttpMethod.GET)) {
                    return notAllowed();
                }
                return CompletableFuture.completedFuture(Answer.json(HEALTHY));
            }
            default -> {
                return CompletableFuture.completedFuture(Answer.detail(feast, 404, "Not Found"));
            }
        }
    }

    private Answer answer(Result result) {
        return new Answer(HttpResponseStatus.OK, out -> feast.writeGet(out, result));
    }

    private byte[] blockingCall(String path, ByteBuf content) {
        var mapper = feast.mapper();
        Object result = switch (path) {
            case "/push" -> {
                PushRequest push = mapper.readValue(body(content), PushRequest.class);
                yield online.push(push.push_source_name(), push.df(), push.to());
            }
            case "/materialize" -> {
                MaterializeRequest m = mapper.readValue(body(content), MaterializeRequest.class);
                yield new MaterializeResponse(materialization.materialize(m.feature_views(),
                        FeastController.time("start_ts", m.start_ts()), FeastController.time("end_ts", m.end_ts())));
            }
            default -> {
                MaterializeIncrementalRequest m = mapper.readValue(body(content),
                        MaterializeIncrementalRequest.class);
                yield new MaterializeResponse(materialization.materializeIncremental(m.feature_views(),
                        FeastController.time("end_ts", m.end_ts())));
            }
        };
        return mapper.writeValueAsBytes(result);
    }

    private static java.io.InputStream body(ByteBuf content) {
        return new ByteBufInputStream(content.duplicate());
    }

    private static CompletableFuture<Answer> notAllowed() {
        return CompletableFuture.failedFuture(new MethodNotAllowed());
    }

    private static final class MethodNotAllowed extends RuntimeException {
        MethodNotAllowed() {
            super(null, null, false, false);
        }
    }

    private static String allowed(String path) {
        return path.equals("/health") ? "GET" : "POST";
    }

    private static void requireJson(FullHttpRequest request) {
        String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
        String mime = type == null ? null : type.split(";", 2)[0].trim();
        if (mime == null || !mime.equalsIgnoreCase(JSON)) {
            throw CairnException.invalid("Unsupported content type " + (type == null ? "(none)" : type)
                    + "; send application/json.");
        }
    }

    private static String path(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    /** Errors as Feast's FastAPI server sends them: a status and {@code {"detail": "..."}}, as on the main port. */
    private Answer failure(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof MethodNotAllowed) {
            return Answer.detail(feast, 405, "Method Not Allowed");
        }
        if (e instanceof RejectedExecutionException) {
            return Answer.detail(feast, ErrorCode.TEMPORARILY_UNAVAILABLE.httpStatus(),
                    "The feature server is busy (too many pushes or materializations queued); retry shortly.");
        }
        ApiError translated = FeastErrorAdvice.TRANSLATION.translate(e);
        return Answer.detail(feast, translated.status(), translated.message());
    }

    private Timer timer(String path, int status) {
        String uri = switch (path) {
            case "/get-online-features", "/push", "/materialize", "/materialize-incremental", "/health" -> path;
            default -> "UNKNOWN";
        };
        return timers.computeIfAbsent(uri + " " + status, k -> Timer.builder("cairn.feature.server.requests")
                .description("Requests to the feature server's own port, by endpoint and status")
                .tag("uri", uri).tag("status", Integer.toString(status))
                .tag("outcome", status < 400 ? "SUCCESS" : status < 500 ? "CLIENT_ERROR" : "SERVER_ERROR")
                .publishPercentileHistogram()
                .register(meters));
    }
}
