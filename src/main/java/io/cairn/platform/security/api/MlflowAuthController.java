package io.cairn.platform.security.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.cairn.platform.error.MlflowApi;
import io.cairn.platform.security.Access;
import io.cairn.platform.security.Grants;
import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
import io.cairn.platform.security.Users;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * MLflow's auth REST API ({@code mlflow server --app-name basic-auth}), so MLflow's auth client and habits carry over:
 * users (admins create, update the admin flag and delete; users read and re-password themselves) and permissions on
 * experiments and registered models (whoever holds MANAGE on the resource).
 */
@RestController
@MlflowApi
@RequestMapping({"/api/2.0/mlflow", "/ajax-api/2.0/mlflow"})
class MlflowAuthController {

    private final Users users;
    private final Grants grants;
    private final Access access;

    MlflowAuthController(Users users, Grants grants, Access access) {
        this.users = users;
        this.grants = grants;
        this.access = access;
    }

    record CreateUser(String username, String password) {
    }

    record UpdatePassword(String username, String password) {
    }

    record UpdateAdmin(String username, Boolean is_admin) {
    }

    record UsernameOnly(String username) {
    }

    record ExperimentPermissionRequest(String experiment_id, String username, String permission) {
    }

    record ModelPermissionRequest(String name, String username, String permission) {
    }

    record ExperimentPermissionJson(String experiment_id, long user_id, String permission) {
    }

    record ModelPermissionJson(String name, long user_id, String permission) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record UserJson(long id, String username, boolean is_admin, List<ExperimentPermissionJson> experiment_permissions,
                    List<ModelPermissionJson> registered_model_permissions) {
        static UserJson of(Users.User user) {
            return new UserJson(user.id(), user.username(), user.isAdmin(),
                    user.grants().stream().filter(g -> g.type() == ResourceType.EXPERIMENT)
                            .map(g -> new ExperimentPermissionJson(g.resourceId(), g.userId(), g.permission().name()))
                            .toList(),
                    user.grants().stream().filter(g -> g.type() == ResourceType.REGISTERED_MODEL)
                            .map(g -> new ModelPermissionJson(g.resourceId(), g.userId(), g.permission().name()))
                            .toList());
        }
    }

    record UserResponse(UserJson user) {
    }

    record ExperimentPermissionResponse(ExperimentPermissionJson experiment_permission) {
    }

    record ModelPermissionResponse(ModelPermissionJson registered_model_permission) {
    }

    // ---- users -------------------------------------------------------------------------------------------------

    @PostMapping("/users/create")
    UserResponse createUser(@RequestBody CreateUser request) {
        access.requireAdmin();
        return new UserResponse(UserJson.of(users.create(request.username(), request.password(), false)));
    }

    @GetMapping("/users/get")
    UserResponse getUser(@RequestParam(name = "username", required = false) String username) {
        access.requireSelfOrAdmin(username);
        return new UserResponse(UserJson.of(users.get(username)));
    }

    @PatchMapping("/users/update-password")
    Map<String, Object> updatePassword(@RequestBody UpdatePassword request) {
        access.requireSelfOrAdmin(request.username());
        users.updatePassword(request.username(), request.password());
        return Map.of();
    }

    @PatchMapping("/users/update-admin")
    Map<String, Object> updateAdmin(@RequestBody UpdateAdmin request) {
        access.requireAdmin();
        if (request.is_admin() == null) {
            throw io.cairn.platform.error.CairnException.invalid("Missing value for required parameter 'is_admin'.");
        }
        users.updateAdmin(request.username(), request.is_admin());
        return Map.of();
    }

    @DeleteMapping("/users/delete")
    Map<String, Object> deleteUser(@RequestBody(required = false) UsernameOnly body,
                                   @RequestParam(name = "username", required = false) String username) {
        access.requireAdmin();
        users.delete(body != null && body.username() != null ? body.username() : username);
        return Map.of();
    }

    // ---- experiment permissions --------------------------------------------------------------------------------

    @PostMapping("/experiments/permissions/create")
    ExperimentPermissionResponse createExperimentPermission(@RequestBody ExperimentPermissionRequest request) {
        return experiment(grants.create(ResourceType.EXPERIMENT, request.experiment_id(), request.username(),
                Permission.parse(request.permission(), "permission")));
    }

    @GetMapping("/experiments/permissions/get")
    ExperimentPermissionResponse getExperimentPermission(
            @RequestParam(name = "experiment_id", required = false) String experimentId,
            @RequestParam(name = "username", required = false) String username) {
        return experiment(grants.get(ResourceType.EXPERIMENT, experimentId, username));
    }

    @PatchMapping("/experiments/permissions/update")
    Map<String, Object> updateExperimentPermission(@RequestBody ExperimentPermissionRequest request) {
        grants.update(ResourceType.EXPERIMENT, request.experiment_id(), request.username(),
                Permission.parse(request.permission(), "permission"));
        return Map.of();
    }

    @DeleteMapping("/experiments/permissions/delete")
    Map<String, Object> deleteExperimentPermission(
            @RequestBody(required = false) ExperimentPermissionRequest body,
            @RequestParam(name = "experiment_id", required = false) String experimentId,
            @RequestParam(name = "username", required = false) String username) {
        grants.delete(ResourceType.EXPERIMENT, body != null ? body.experiment_id() : experimentId,
                body != null ? body.username() : username);
        return Map.of();
    }

    // ---- registered-model permissions --------------------------------------------------------------------------

    @PostMapping("/registered-models/permissions/create")
    ModelPermissionResponse createModelPermission(@RequestBody ModelPermissionRequest request) {
        return model(grants.create(ResourceType.REGISTERED_MODEL, request.name(), request.username(),
                Permission.parse(request.permission(), "permission")));
    }

    @GetMapping("/registered-models/permissions/get")
    ModelPermissionResponse getModelPermission(@RequestParam(name = "name", required = false) String name,
                                               @RequestParam(name = "username", required = false) String username) {
        return model(grants.get(ResourceType.REGISTERED_MODEL, name, username));
    }

    @PatchMapping("/registered-models/permissions/update")
    Map<String, Object> updateModelPermission(@RequestBody ModelPermissionRequest request) {
        grants.update(ResourceType.REGISTERED_MODEL, request.name(), request.username(),
                Permission.parse(request.permission(), "permission"));
        return Map.of();
    }

    @DeleteMapping("/registered-models/permissions/delete")
    Map<String, Object> deleteModelPermission(@RequestBody(required = false) ModelPermissionRequest body,
                                              @RequestParam(name = "name", required = false) String name,
                                              @RequestParam(name = "username", required = false) String username) {
        grants.delete(ResourceType.REGISTERED_MODEL, body != null ? body.name() : name,
                body != null ? body.username() : username);
        return Map.of();
    }

    private static ExperimentPermissionResponse experiment(Grants.Grant grant) {
        return new ExperimentPermissionResponse(new ExperimentPermissionJson(grant.resourceId(), grant.userId(),
                grant.permission().name()));
    }

    private static ModelPermissionResponse model(Grants.Grant grant) {
        return new ModelPermissionResponse(new ModelPermissionJson(grant.resourceId(), grant.userId(),
                grant.permission().name()));
    }
}
