#pragma once
// Kubernetes' Status errors: the HTTP code, reason and message kubectl prints
// ("Error from server (NotFound): pods \"nope\" not found").

#include <string>
#include <string_view>
#include <vector>

#include "capstan/status.h"

namespace capstan::kube {

// One field error of an Invalid (422) answer, as Kubernetes' field.Error.
struct FieldError {
  std::string type;    // "FieldValueRequired", "FieldValueInvalid", "FieldValueNotSupported", ...
  std::string field;   // "spec.containers[0].image"
  std::string detail;  // the whole message of this cause, e.g. "Required value"
};

struct ApiError {
  int code = 500;
  std::string reason;  // NotFound, AlreadyExists, Conflict, Invalid, BadRequest, Expired, ...
  std::string message;
  // details
  std::string name;
  std::string group;
  std::string kind;  // a resource ("pods") or a Kind ("Pod") for Invalid, as Kubernetes does
  std::vector<FieldError> causes;
  int retryAfterSeconds = 0;

  // The Status object as JSON text.
  std::string toJson() const;
};

// "pods" or "deployments.apps": how Kubernetes names a group resource in messages.
std::string groupResource(std::string_view group, std::string_view resource);

ApiError notFound(std::string_view group, std::string_view resource, std::string_view name);
ApiError alreadyExists(std::string_view group, std::string_view resource, std::string_view name);
ApiError conflict(std::string_view group, std::string_view resource, std::string_view name, std::string_view why);
// 422: `Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`
ApiError invalid(std::string_view group, std::string_view kind, std::string_view name, std::vector<FieldError> errors);
ApiError badRequest(std::string message);
ApiError forbidden(std::string_view group, std::string_view resource, std::string_view name, std::string_view why);
ApiError methodNotAllowed();
ApiError unsupportedMediaType(std::string_view contentType, std::string_view accepted);
ApiError notAcceptable(std::string message);
ApiError expired(std::string message);
ApiError tooLarge(std::string message);
ApiError serviceUnavailable(std::string message);
ApiError internalError(std::string message);
ApiError pathNotFound();  // "the server could not find the requested resource"

// Maps a store/plugin Status onto the Kubernetes error a client expects for this object.
ApiError fromStatus(const Status& status, std::string_view group, std::string_view resource, std::string_view name);

// Field error constructors with Kubernetes' wording.
FieldError required(std::string field, std::string_view detail = {});
FieldError invalidValue(std::string field, std::string_view valueJson, std::string_view detail);
FieldError notSupported(std::string field, std::string_view valueJson, const std::vector<std::string>& supported);
FieldError forbiddenField(std::string field, std::string_view detail);
FieldError duplicate(std::string field, std::string_view valueJson);
FieldError tooLong(std::string field, std::string_view valueJson, std::size_t max);

}  // namespace capstan::kube
