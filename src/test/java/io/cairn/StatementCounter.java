package io.cairn;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Counts the SQL statements the application prepares on HTTP request threads, so tests can prove a request costs a
 * fixed number of queries whatever the size of its result (no N+1). Wraps the DataSource; everything else passes
 * straight through. Statements from the server's own background threads (the serving reconciler's pass every second,
 * the prediction log's writer) are left out: they run whenever they like and would make a count taken around one
 * request depend on timing.
 */
@TestConfiguration(proxyBeanMethods = false)
public class StatementCounter {

    private static final AtomicLong STATEMENTS = new AtomicLong();

    public static long count() {
        return STATEMENTS.get();
    }

    @Bean
    static BeanPostProcessor statementCountingDataSource() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof DataSource dataSource && !Proxy.isProxyClass(bean.getClass())) {
                    return Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                            delegate(dataSource, (method, result) -> method.getName().equals("getConnection")
                                    ? countingConnection((Connection) result) : result));
                }
                return bean;
            }
        };
    }

    private static Connection countingConnection(Connection connection) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                delegate(connection, (method, result) -> {
                    String name = method.getName();
                    if ((name.equals("prepareStatement") || name.equals("createStatement") || name.equals("prepareCall"))
                            && onRequestThread()) {
                        STATEMENTS.incrementAndGet();
                    }
                    return result;
                }));
    }

    private static boolean onRequestThread() {
        return Thread.currentThread().getName().startsWith("http-");
    }

    private interface AfterCall {
        Object apply(Method method, Object result);
    }

    private static InvocationHandler delegate(Object target, AfterCall after) {
        return (proxy, method, args) -> {
            try {
                return after.apply(method, method.invoke(target, args));
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
    }
}
