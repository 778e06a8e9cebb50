/**
 * What every capability shares: error model, database bootstrap, common configuration.
 * An open module: its sub-packages are usable by every other module.
 */
@org.springframework.modulith.ApplicationModule(type = org.springframework.modulith.ApplicationModule.Type.OPEN)
package io.cairn.platform;
