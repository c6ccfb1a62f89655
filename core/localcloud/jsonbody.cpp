#include "core/localcloud/jsonbody.h"

namespace Aq::LocalCloud::JsonBody
{
    std::optional<simdjson::dom::array> array(simdjson::dom::parser &parser, const QByteArray &body, std::string_view key,
                                              std::string_view otherSpelling)
    {
        simdjson::dom::element root;
        simdjson::dom::object request;
        if (parser.parse(body.constData(), size_t(body.size())).get(root) != simdjson::SUCCESS || root.get_object().get(request) != simdjson::SUCCESS)
            return std::nullopt;
        std::optional<simdjson::dom::array> found;
        for (simdjson::dom::key_value_pair field : request) {
            if (!otherSpelling.empty() && field.key == otherSpelling)
                return std::nullopt;
            if (field.key != key)
                continue;
            simdjson::dom::array value;
            if (found || field.value.get_array().get(value) != simdjson::SUCCESS)
                return std::nullopt;
            found = value;
        }
        return found;
    }
}
