package io.cairn.web;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Marks the dashboard's controllers: their errors are answered as HTML pages by {@link DashboardErrors}. */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@interface DashboardPage {
}
