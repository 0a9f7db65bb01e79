
#include "errors.h"

#include <initializer_list>

#include "capstan/json.h"

namespace capstan::kube {

std::string ApiError::toJson() const {
  std::string out;
  json::Writer w(out);
  w.beginObject();
  w.key("kind");
  w.string("Status");
  w.key("apiVersion");
  w.string("v1");
  w.key("metadata");
  w.beginObject();
  w.endObject();
  w.key("status");
  w.string("Failure");
  w.key("message");
  w.string(message);
  w.key("reason");
  w.string(reason);
  if (!name.empty() || !group.empty() || !kind.empty() || !causes.empty() || retryAfterSeconds > 0) {
    w.key("details");
    w.beginObject();
    if (!name.empty()) {
      w.key("name");
      w.string(name);
    }
    if (!group.empty()) {
      w.key("group");
      w.string(group);
    }
    if (!kind.empty()) {
      w.key("kind");
      w.string(kind);
    }
    if (!causes.empty()) {
      w.key("causes");
      w.beginArray();
      for (const auto& c : causes) {
        w.beginObject();
        w.key("reason");
        w.string(c.type);
        w.key("message");
        w.string(c.detail);
        w.key("field");
        w.string(c.field);
        w.endObject();
      }
      w.endArray();
    }
    if (retryAfterSeconds > 0) {
      w.key("retryAfterSeconds");
      w.integer(retryAfterSeconds);
    }
    w.endObject();
  }
  w.key("code");
  w.integer(code);
  w.endObject();
  return out;
}

std::string groupResource(std::string_view group, std::string_view resource) {
  std::string out(resource);
  if (!group.empty()) {
    out += '.';
    out += group;
  }
  return out;
}

namespace {
// Joins without `"literal" + std::string` temporaries (GCC 12 warns falsely on those,
// -Wrestrict, GCC bug 105651).
std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) out += p;
  return out;
}

ApiError make(int code, std::string reason, std::string message) {
  ApiError e;
  e.code = code;
  e.reason = std::move(reason);
  e.message = std::move(message);
  return e;
}
ApiError withDetails(ApiError e, std::string_view group, std::string_view kind, std::string_view name) {
  e.group = group;
  e.kind = kind;
  e.name = name;
  return e;
}
}  // namespace

ApiError notFound(std::string_view group, std::string_view resource, std::string_view name) {
  return withDetails(make(404, "NotFound", groupResource(group, resource) + " \"" + std::string(name) + "\" not found"),
                     group, resource, name);
}

ApiError alreadyExists(std::string_view group, std::string_view resource, std::string_view name) {
  return withDetails(
      make(409, "AlreadyExists", groupResource(group, resource) + " \"" + std::string(name) + "\" already exists"),
      group, resource, name);
}

ApiError conflict(std::string_view group, std::string_view resource, std::string_view name, std::string_view why) {
  return withDetails(make(409, "Conflict",
                          cat({"Operation cannot be fulfilled on ", groupResource(group, resource), " \"", name,
                               "\": ", why})),
                     group, resource, name);
}

ApiError invalid(std::string_view group, std::string_view kind, std::string_view name, std::vector<FieldError> errors) {
  std::string qualified(kind);
  if (!group.empty()) qualified += cat({".", group});
  std::string message = qualified + " \"" + std::string(name) + "\" is invalid: ";
  auto one = [](const FieldError& e) { return e.field.empty() ? e.detail : e.field + ": " + e.detail; };
  if (errors.size() == 1) {
    message += one(errors[0]);
  } else {
    message += "[";
    for (std::size_t i = 0; i < errors.size(); ++i) {
      if (i) message += ", ";
      message += one(errors[i]);
    }
    message += "]";
  }
  ApiError e = withDetails(make(422, "Invalid", std::move(message)), group, kind, name);
  e.causes = std::move(errors);
  return e;
}

ApiError badRequest(std::string message) { return make(400, "BadRequest", std::move(message)); }

ApiError forbidden(std::string_view group, std::string_view resource, std::string_view name, std::string_view why) {
  return withDetails(make(403, "Forbidden",
                          groupResource(group, resource) + " \"" + std::string(name) + "\" is forbidden: " +
                              std::string(why)),
                     group, resource, name);
}

ApiError methodNotAllowed() {
  return make(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
}

ApiError unsupportedMediaType(std::string_view contentType, std::string_view accepted) {
  return make(415, "UnsupportedMediaType",
              cat({"the body of the request was in an unknown format (", contentType,
                   ") - accepted media types include: ", accepted}));
}

ApiError notAcceptable(std::string message) { return make(406, "NotAcceptable", std::move(message)); }

ApiError expired(std::string message) { return make(410, "Expired", std::move(message)); }

ApiError tooLarge(std::string message) { return make(413, "RequestEntityTooLarge", std::move(message)); }

ApiError serviceUnavailable(std::string message) { return make(503, "ServiceUnavailable", std::move(message)); }

ApiError internalError(std::string message) {
  std::string text = "Internal error occurred: ";
  text += message;
  return make(500, "InternalError", std::move(text));
}

ApiError pathNotFound() { return make(404, "NotFound", "the server could not find the requested resource"); }

ApiError fromStatus(const Status& status, std::string_view group, std::string_view resource, std::string_view name) {
  switch (status.code()) {
    case Code::kNotFound:
      return notFound(group, resource, name);
    case Code::kAlreadyExists:
      return alreadyExists(group, resource, name);
    case Code::kConflict:
      return conflict(group, resource, name,
                      "the object has been modified; please apply your changes to the latest version and try again");
    case Code::kInvalidArgument:
      return badRequest(status.message());
    case Code::kGone:
      return expired(status.message());
    case Code::kTooLarge:
      return tooLarge("Request entity too large: " + status.message());
    case Code::kResourceExhausted: {
      // A full store map: the write was refused and nothing changed; the client may retry
      // once an operator grows the map or compacts.
      ApiError e = make(507, "InsufficientStorage", "the object could not be stored: " + status.message());
      return e;
    }
    case Code::kUnavailable:
      return serviceUnavailable(status.message());
    case Code::kDeadlineExceeded:
      return make(504, "Timeout", status.message());
    default:
      return internalError(status.message());
  }
}

FieldError required(std::string field, std::string_view detail) {
  std::string d = "Required value";
  if (!detail.empty()) d += cat({": ", detail});
  return {"FieldValueRequired", std::move(field), std::move(d)};
}

FieldError invalidValue(std::string field, std::string_view valueJson, std::string_view detail) {
  std::string d = cat({"Invalid value: ", valueJson});
  if (!detail.empty()) d += cat({": ", detail});
  return {"FieldValueInvalid", std::move(field), std::move(d)};
}

FieldError notSupported(std::string field, std::string_view valueJson, const std::vector<std::string>& supported) {
  std::string d = cat({"Unsupported value: ", valueJson});
  if (!supported.empty()) {
    d += ": supported values: ";
    for (std::size_t i = 0; i < supported.size(); ++i) {
      if (i) d += ", ";
      d += json::quote(supported[i]);
    }
  }
  return {"FieldValueNotSupported", std::move(field), std::move(d)};
}

FieldError forbiddenField(std::string field, std::string_view detail) {
  return {"FieldValueForbidden", std::move(field), cat({"Forbidden: ", detail})};
}

FieldError duplicate(std::string field, std::string_view valueJson) {
  return {"FieldValueDuplicate", std::move(field), cat({"Duplicate value: ", valueJson})};
}

// Kubernetes (1.30+) does not repeat the too-long value in the message.
FieldError tooLong(std::string field, std::string_view /*valueJson*/, std::size_t max) {
  return {"FieldValueTooLong", std::move(field),
          "Too long: may not be more than " + std::to_string(max) + " bytes"};
}

}  // namespace capstan::kube
