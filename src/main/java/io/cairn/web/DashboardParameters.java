package io.cairn.web;

import io.cairn.platform.text.NulCheck;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Every parameter a dashboard page receives is text PostgreSQL can hold: a NUL or a lone surrogate anywhere (a search
 * box, a metric key, an audit filter) is a 400 page before any handler runs, rather than a failed statement deep in
 * whichever service the page calls. One check at the edge instead of one per parameter.
 */
@Configuration(proxyBeanMethods = false)
class DashboardParameters implements WebMvcConfigurer {

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new HandlerInterceptor() {
            @Override
            public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
                if (handler instanceof HandlerMethod method
                        && method.getBeanType().isAnnotationPresent(DashboardPage.class)) {
                    for (Map.Entry<String, String[]> parameter : request.getParameterMap().entrySet()) {
                        NulCheck.storable(parameter.getKey(), parameter.getKey());
                        for (String value : parameter.getValue()) {
                            NulCheck.storable(parameter.getKey(), value);
                        }
                    }
                }
                return true;
            }
        });
    }
}
