package io.cairn.platform.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Installs the request body limits: the filter that counts bodies and the interceptor that checks Content-Length. */
@Configuration(proxyBeanMethods = false)
class RequestBodyLimitConfiguration implements WebMvcConfigurer {

    @Bean
    RequestBodyLimitFilter requestBodyLimitFilter(HttpProperties properties, ObjectProvider<BodyLimits> declared) {
        return new RequestBodyLimitFilter(properties, declared.orderedStream().toList());
    }

    /**
     * In an interceptor rather than the filter because an exception here reaches the handler's own error advice
     * (MLflow JSON, problem details, V2, Feast), which a filter's could not.
     */
    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new HandlerInterceptor() {
            @Override
            public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
                RequestBodyLimitFilter.checkDeclaredLength(request);
                return true;
            }
        });
    }
}
