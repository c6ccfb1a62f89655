#pragma once

#include <memory>

#include "core/server/api/apicontext.h"
#include "core/server/http/httprequest.h"
#include "core/server/http/httpresponder.h"

namespace Aq::Server
{
    // GET /data?format=json|ndjson|csv: every row of the events table in the /events shape, in table order,
    // streamed with chunked encoding in constant memory: one tabledata.list page is fetched at a time, and the
    // next only when the socket has taken most of the last (HttpResponder::onWritable), so a slow client slows the
    // reads instead of growing the buffers. An error before the first byte is a JSON error; after it, the
    // connection is cut so that the client sees a truncated body, never a clean but short one.
    class DataStream : public std::enable_shared_from_this<DataStream>
    {
    public:
        static void start(ApiContext &context, const HttpRequest &request, const HttpResponder &responder);

        static constexpr int PageRows = 2000;

    private:
        enum class Format
        {
            Json,
            Ndjson,
            Csv,
        };

        DataStream(ApiContext &context, const HttpResponder &responder, Format format);
        void fetchNext();
        void handlePage(Result<BigQuery::QueryPage> page);
        void writeRows(const BigQuery::QueryPage &page);
        void finish();

        ApiContext &m_context;
        HttpResponder m_responder;
        Format m_format;
        std::optional<EventRowWriter> m_writer;
        QString m_pageToken;
        qint64 m_rowsWritten = 0;
        bool m_started = false;
        bool m_fetching = false;
        bool m_done = false;
    };
}
