package io.cairn.features.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/** A feature-server port already taken stops the start with a message that names the port and the property. */
class FeatureServerPortInUseTest {

    @Test
    void aPortInUseIsNamedWithThePropertyThatMovesIt() throws Exception {
        FeatureServerEventLoops.Loops loops = new FeatureServerEventLoops.Loops(1);
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            FeatureServer server = new FeatureServer(
                    new FeatureServerProperties(true, "127.0.0.1", port, 1, 1, DataSize.ofMegabytes(1)), loops,
                    null, null, null, null, null, null);
            assertThatThrownBy(server::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("127.0.0.1:" + port)
                    .hasMessageContaining("cairn.features.server.port")
                    .hasMessageContaining("cairn.features.server.enabled=false");
            assertThat(server.isRunning()).isFalse();
        } finally {
            loops.destroy();
        }
    }
}
