#pragma once

#include <cstdio>
#include <memory>

#include <QList>
#include <QVariantList>

#include "core/bigquery/tableschema.h"

namespace Aq::Cli
{
    // Writes a query result as it arrives, a page at a time.
    class ResultWriter
    {
    public:
        enum class Format
        {
            Table,   // bq's boxed table; column widths from the first page, longer cells cut with "…"
            Json,    // one JSON array of objects, columns in schema order
            Csv,     // RFC 4180 with a header line; NULL is an empty field
        };

        static std::unique_ptr<ResultWriter> create(Format format, FILE *out);
        virtual ~ResultWriter() = default;

        virtual void writePage(const QList<BigQuery::TableField> &fields, const QList<QVariantList> &rows) = 0;
        virtual void finish() = 0;
    };
}
