#include "core/server/api/datastream.h"

#include <QLoggingCategory>

#include "core/bigquery/bigqueryclient.h"
#include "core/server/api/eventsroutes.h"
#include "core/server/api/requestparameters.h"

using namespace Qt::Literals::StringLiterals;

Q_LOGGING_CATEGORY(lcDataStream, "aq.server.data", QtInfoMsg)

namespace Aq::Server
{
    namespace
    {
        constexpr qsizetype ChunkBytes = 64 * 1024;
        // Fetch the next page while less than this is waiting for the socket.
        constexpr qint64 HighWaterBytes = 1024 * 1024;
    }

    void DataStream::start(ApiContext &context, const HttpRequest &request, const HttpResponder &responder)
    {
        Result<RequestParameters> params = RequestParameters::read(request, {u"format"_s});
        if (!params)
            return responder.send(HttpResponse::fromError(params.error()));
        Result<QString> format = params->choice(u"format"_s, {u"json"_s, u"ndjson"_s, u"csv"_s}, u"json"_s);
        if (!format)
            return responder.send(HttpResponse::fromError(format.error()));
        if (Status connected = context.requireConnection(); !connected)
            return responder.send(HttpResponse::fromError(connected.error()));
        const Format chosen = *format == u"csv"_s ? Format::Csv : (*format == u"ndjson"_s ? Format::Ndjson : Format::Json);
        std::shared_ptr<DataStream> stream(new DataStream(context, responder, chosen));
        // The writable callback owns the stream (a page request in flight owns it too): the connection drops the
        // callback when the answer is complete or the client goes, and the stream goes with it.
        responder.onWritable([stream] { stream->fetchNext(); });
        stream->fetchNext();
    }

    DataStream::DataStream(ApiContext &context, const HttpResponder &responder, Format format)
        : m_context {context}
        , m_responder {responder}
        , m_format {format}
    {
    }

    void DataStream::fetchNext()
    {
        if (m_fetching || m_done)
            return;
        if (!m_responder.isConnected()) {
            m_done = true;
            return;
        }
        if (m_started && m_responder.pendingBytes() >= HighWaterBytes)
            return;   // onWritable calls again once the socket has taken most of it
        m_fetching = true;
        qCDebug(lcDataStream) << "fetching after" << m_rowsWritten << "rows; waiting for the socket:" << m_responder.pendingBytes();
        const EventsTable &table = m_context.eventsTable;
        m_context.bigquery->listRows(table.dataset, table.table, table.schema.fields, m_pageToken, PageRows, m_context.owner,
                                     [self = shared_from_this()](Result<BigQuery::QueryPage> page) { self->handlePage(std::move(page)); });
    }

    void DataStream::handlePage(Result<BigQuery::QueryPage> page)
    {
        // m_fetching stays true while this page is written: writing reports progress, and the writable callback
        // must not ask for a page before this one's token is known.
        if (m_done)
            return;
        if (!m_responder.isConnected()) {
            m_done = true;
            return;
        }
        if (!page) {
            m_done = true;
            qCWarning(lcDataStream) << "GET /data stopped after" << m_rowsWritten << "rows:" << page.error().message;
            if (!m_started)
                return m_responder.send(HttpResponse::fromError(backendError(page.error(), u"The events table cannot be read"_s)));
            return m_responder.abort();
        }
        if (!m_writer) {
            Result<EventRowWriter> writer = EventRowWriter::create(page->fields, m_context.eventsTable.keyColumn);
            if (!writer) {
                m_done = true;
                return m_responder.send(HttpResponse::fromError(writer.error()));
            }
            m_writer = std::move(*writer);
        }
        if (!m_started) {
            m_started = true;
            static const QByteArray TYPES[] = {"application/json", "application/x-ndjson", "text/csv; charset=utf-8"};
            HttpHeaders headers;
            headers.append("Cache-Control", "no-store");
            m_responder.startStream(200, TYPES[int(m_format)], headers);
            if (m_format == Format::Json)
                m_responder.writeChunk("[");
            else if (m_format == Format::Csv)
                m_responder.writeChunk(EventRowWriter::csvHeader());
        }
        qCDebug(lcDataStream) << "page of" << page->rows.size() << "rows; waiting for the socket:" << m_responder.pendingBytes();
        writeRows(*page);
        m_pageToken = page->pageToken;
        m_fetching = false;
        if (m_pageToken.isEmpty())
            return finish();
        fetchNext();
    }

    void DataStream::writeRows(const BigQuery::QueryPage &page)
    {
        QByteArray chunk;
        chunk.reserve(ChunkBytes + 4096);
        for (const QVariantList &row : page.rows) {
            switch (m_format) {
            case Format::Json:
                if (m_rowsWritten)
                    chunk += ',';
                m_writer->appendJson(row, chunk);
                break;
            case Format::Ndjson:
                m_writer->appendJson(row, chunk);
                chunk += '\n';
                break;
            case Format::Csv:
                m_writer->appendCsv(row, chunk);
                break;
            }
            ++m_rowsWritten;
            if (chunk.size() >= ChunkBytes) {
                m_responder.writeChunk(chunk);
                chunk.clear();
            }
        }
        if (!chunk.isEmpty())
            m_responder.writeChunk(chunk);
    }

    void DataStream::finish()
    {
        m_done = true;
        if (m_format == Format::Json)
            m_responder.writeChunk("]");
        m_responder.finishStream();
    }
}
