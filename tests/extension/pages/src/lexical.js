// A Lexical rich-text editor; the Send button reads the editor state, not the DOM.
import { $getRoot, createEditor } from 'lexical';
import { HeadingNode, QuoteNode, registerRichText } from '@lexical/rich-text';

const editor = createEditor({
  namespace: 'e2e',
  nodes: [HeadingNode, QuoteNode],
  onError(error) {
    throw error;
  },
});
editor.setRootElement(document.getElementById('editor'));
registerRichText(editor);

window.sent = [];
window.getEditorText = () => editor.getEditorState().read(() => $getRoot().getTextContent());
document.getElementById('send').addEventListener('click', () => window.sent.push(window.getEditorText()));
