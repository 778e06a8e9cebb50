package io.cairn.web;

import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.ErrorCode;
import io.cairn.platform.error.PayloadTooLarge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.http.HttpStatus;

/**
 * The dashboard's one error advice: every failure of a page is an HTML page with the status and a sentence that says
 * what happened and what to do, inside the usual navigation, never a stack trace or a JSON body in a browser tab.
 */
@ControllerAdvice(annotations = DashboardPage.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class DashboardErrors {

    private static final Logger log = LoggerFactory.getLogger(DashboardErrors.class);

    @ExceptionHandler(CairnException.class)
    ModelAndView cairn(CairnException e) {
        return page(e.code(), e.getMessage());
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ModelAndView missing(MissingServletRequestParameterException e) {
        return page(ErrorCode.INVALID_PARAMETER_VALUE, "The page needs the parameter '" + e.getParameterName() + "'.");
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ModelAndView typeMismatch(MethodArgumentTypeMismatchException e) {
        return page(ErrorCode.INVALID_PARAMETER_VALUE, "'" + e.getValue() + "' is not a valid value for '"
                + e.getName() + "'.");
    }

    @ExceptionHandler({DataAccessResourceFailureException.class, TransientDataAccessException.class})
    ModelAndView database(RuntimeException e) {
        log.warn("Dashboard page: database unavailable", e);
        return page(ErrorCode.TEMPORARILY_UNAVAILABLE, "PostgreSQL, which holds this page's data, cannot be reached "
                + "right now. The page will work again as soon as it is back; reload in a moment.");
    }

    @ExceptionHandler(RedisConnectionFailureException.class)
    ModelAndView redis(RuntimeException e) {
        return page(ErrorCode.TEMPORARILY_UNAVAILABLE, "Redis (the online feature store) cannot be reached right "
                + "now; pages that do not read online features still work.");
    }

    @ExceptionHandler(Exception.class)
    ModelAndView unexpected(Exception e) {
        PayloadTooLarge tooLarge = PayloadTooLarge.in(e);
        if (tooLarge != null) {
            return page(tooLarge.code(), tooLarge.getMessage());
        }
        log.error("Unexpected error on a dashboard page", e);
        return page(ErrorCode.INTERNAL_ERROR, "Something failed on the server (" + e.getClass().getSimpleName()
                + "); the log has the details.");
    }

    static ModelAndView page(ErrorCode code, String message) {
        ModelAndView view = new ModelAndView("failure");
        view.addObject("failure", new ErrorView(code.httpStatus(), title(code), message));
        view.setStatus(HttpStatus.valueOf(code.httpStatus()));
        return view;
    }

    private static String title(ErrorCode code) {
        return switch (code.httpStatus()) {
            case 400 -> "That request cannot be shown";
            case 401 -> "Sign in to see this page";
            case 403 -> "You do not have access to this page";
            case 404 -> "Not found";
            case 503 -> "A store is unavailable";
            default -> code.httpStatus() >= 500 ? "Server error" : "Request refused";
        };
    }
}
