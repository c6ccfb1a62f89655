#pragma once

#include <utility>
#include <variant>

#include "core/common/apierror.h"

namespace Aq
{
    // A value or an ApiError. std::expected needs C++23 with g++ 12 and does not compile with clang 14,
    // which the fuzzers use (QT64-NOTES.md), so we keep this small one.
    template <typename T>
    class [[nodiscard]] Result
    {
    public:
        Result(const T &value) : m_data {std::in_place_index<0>, value} {}
        Result(T &&value) : m_data {std::in_place_index<0>, std::move(value)} {}
        Result(const ApiError &error) : m_data {std::in_place_index<1>, error} {}
        Result(ApiError &&error) : m_data {std::in_place_index<1>, std::move(error)} {}

        bool hasValue() const { return m_data.index() == 0; }
        explicit operator bool() const { return hasValue(); }

        T &value() & { return std::get<0>(m_data); }
        const T &value() const & { return std::get<0>(m_data); }
        T &&value() && { return std::get<0>(std::move(m_data)); }
        T *operator->() { return &std::get<0>(m_data); }
        const T *operator->() const { return &std::get<0>(m_data); }
        T &operator*() & { return std::get<0>(m_data); }
        const T &operator*() const & { return std::get<0>(m_data); }

        const ApiError &error() const { return std::get<1>(m_data); }

    private:
        std::variant<T, ApiError> m_data;
    };

    struct Ok
    {
    };

    using Status = Result<Ok>;
}
