package io.cairn.features.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.cairn.platform.error.ApiError;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.ErrorCode;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Feast's error shape on the main port: FastAPI's {"detail"} with the status of the shared translation. */
class FeastErrorAdviceTest {

    @RestController
    @FeastApi
    static class Failing {
        @PostMapping("/unavailable")
        void unavailable() {
            throw new CairnException(ErrorCode.TEMPORARILY_UNAVAILABLE, "The online store is unavailable.");
        }

        @PostMapping("/invalid")
        void invalid() {
            throw CairnException.invalid("Feature view 'x' does not exist.");
        }

        @PostMapping("/body")
        void body(@RequestBody java.util.Map<String, Object> body) {
        }
    }

    private final MockMvc mvc = MockMvcBuilders.standaloneSetup(new Failing())
            .setControllerAdvice(new FeastErrorAdvice()).build();

    @Test
    void domainErrorsBecomeFastApiDetailBodiesWithTheirStatus() throws Exception {
        mvc.perform(post("/unavailable")).andExpect(status().isServiceUnavailable())
                .andExpect(content().json("{\"detail\": \"The online store is unavailable.\"}", true));
        mvc.perform(post("/invalid")).andExpect(status().isBadRequest())
                .andExpect(content().json("{\"detail\": \"Feature view 'x' does not exist.\"}", true));
    }

    @Test
    void malformedJsonIsA400Detail() throws Exception {
        mvc.perform(post("/body").contentType(MediaType.APPLICATION_JSON).content("{\"a\": "))
                .andExpect(status().isBadRequest())
                .andExpect(content().string(org.hamcrest.Matchers.containsString("\"detail\":\"Malformed JSON")));
    }

    @Test
    void theFeatureServerPortTranslatesAsTheMainPortDoes() {
        ApiError translated = FeastErrorAdvice.TRANSLATION.translate(
                CairnException.invalid("Feature view 'x' does not exist."));
        assertThat(translated.status()).isEqualTo(400);
        assertThat(new FeastErrorAdvice().body(translated))
                .isEqualTo(new FeastErrorAdvice.Detail("Feature view 'x' does not exist."));
        assertThat(new FeastErrorAdvice().owns("/get-online-features")).isTrue();
        assertThat(new FeastErrorAdvice().owns("/api/v1/feature-views")).isFalse();
    }
}
