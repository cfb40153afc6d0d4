import { initAll } from '../govuk/govuk-frontend.min.js'
import { wrapTables } from './tables.js'

wrapTables()
initAll()
