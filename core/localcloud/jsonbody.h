#pragma once

#include <optional>
#include <string_view>

#include <simdjson.h>

#include <QByteArray>

namespace Aq::LocalCloud::JsonBody
{
    // The array under `key` of a request body that is a JSON object, parsed with simdjson (the hot request bodies:
    // publish, acknowledge). nullopt when the body is not such an object, or the key is missing, repeated or not
    // an array, or the body also has `otherSpelling` (proto3 JSON's snake_case name): its caller then reads the
    // body with QJsonDocument, which decides those cases and words the errors.
    std::optional<simdjson::dom::array> array(simdjson::dom::parser &parser, const QByteArray &body, std::string_view key,
                                              std::string_view otherSpelling = {});
}
